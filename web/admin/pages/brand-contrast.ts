// brand-contrast.ts — WCAG 2 contrast of white text on a brand colour, the
// same sum the server makes for its warning (tenants_admin.c), so the page
// can warn while the owner picks, before saving.

export const WCAG_AA = 4.5;

const channel = (c: number) => {
  const s = c / 255;
  return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
};

export function isHex(s: string): boolean {
  return /^#[0-9a-fA-F]{6}$/.test(s);
}

function luminance(hex: string): number {
  const n = parseInt(hex.slice(1), 16);
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

/** 1 (no contrast) to 21; NaN for a malformed colour. */
export function contrastOnWhite(hex: string): number {
  if (!isHex(hex)) return NaN;
  return 1.05 / (luminance(hex) + 0.05);
}
