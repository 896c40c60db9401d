// types.ts — what the loader hands the chat UI when it opens.

export interface WidgetConfig {
  slug: string;
  /** The tenant's own host name ({slug}.{PLATFORM_DOMAIN}). */
  api_host: string;
  name: string;
  primary_color: string;
  accent_color: string;
  logo_url: string | null;
  chat_enabled: boolean;
  handoff: boolean;
  greeting: string | null;
  powered_by: string | null;
}

export interface WidgetContext {
  /** Origin the chat API is called on: the script's own, or with
   *  data-tenant the tenant's host (the chat routes know tenants by host). */
  base: string;
  /** data-tenant while base is still the platform host, else ''. */
  tenant: string;
  mode: 'float' | 'page';
  root: ShadowRoot;
  host: HTMLElement;
  /** The launcher (float mode), which gets focus back on close. */
  launcher: HTMLButtonElement | null;
  /** null while unknown (network); refusal says why the chat will not open. */
  config: WidgetConfig | null;
  refusal: string | null;
  reloadConfig: () => Promise<void>;
  onClose: () => void;
}

export interface WidgetUI {
  open(): void;
  close(): void;
  isOpen(): boolean;
}
