// customers.tsx — placeholder until the page is written (issue 13).
import { PageHeader } from '../ui';

export default function Page() {
  return <PageHeader title="customers" />;
}
