// account.tsx — placeholder until the page is written (issue 13): sign out
// everywhere is here already because the frame's tests use it.
import { PageHeader } from '../ui';
import { signOut } from '../app';

export default function Account() {
  return (
    <section>
      <PageHeader title="My account" />
      <button type="button" onClick={() => void signOut(true)}>Sign out everywhere</button>
    </section>
  );
}
