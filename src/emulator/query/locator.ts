// Result-page locators. Salesforce's documented examples (`MTAwMDA`, `MjAwMDAw`) are the base64 of
// the row offset in decimal ("10000", "200000") without padding; the emulator uses that scheme.

/** The locator of the page that starts at row `offset`. */
export function encodeLocator(offset: number): string {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`bad result offset: ${offset}`);
  return Buffer.from(String(offset), 'latin1').toString('base64').replace(/=+$/, '');
}

/** The row offset a locator stands for, or undefined when it is not one this server issues. */
export function decodeLocator(s: string): number | undefined {
  if (typeof s !== 'string' || s.length === 0 || s.length > 24 || !/^[A-Za-z0-9+/]+$/.test(s)) return undefined;
  const text = Buffer.from(s, 'base64').toString('latin1');
  if (!/^(0|[1-9][0-9]*)$/.test(text)) return undefined;
  const offset = Number(text);
  if (!Number.isSafeInteger(offset) || encodeLocator(offset) !== s) return undefined;
  return offset;
}
