// Secrets never leave the process: every log line and every error message passes through a Redactor.
// Two nets: the exact secrets we were given (and their URL/JSON-encoded forms), and patterns that catch
// secrets we were not told about (a new access token in a reply, a bearer header, a PEM block).

export const REDACTED = '[REDACTED]';

const PATTERNS: readonly [RegExp, string][] = [
  // PEM private keys, whole blocks (also with escaped newlines as in JSON).
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, REDACTED],
  // Authorization headers.
  [/\b(Bearer|OAuth)\s+[A-Za-z0-9._~+/!=-]{8,}/gi, `$1 ${REDACTED}`],
  // key=value and "key": "value" for the secret-bearing names of OAuth and our config.
  [
    /\b(access_token|refresh_token|client_secret|password|security_token|private_key|assertion|sessionId|session_id)(\\?["']?\s*[:=]\s*\\?["']?)([^"'&\s,;}\\]+)/gi,
    `$1$2${REDACTED}`,
  ],
  // Salesforce session ids: 00D + org id + '!' + opaque.
  [/\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9_.]{10,}/g, REDACTED],
  // JWTs (JWT-based access tokens, signed assertions).
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, REDACTED],
];

/** Secrets shorter than this are not matched literally (they would blank out ordinary words). */
const MIN_SECRET_LENGTH = 4;

export class Redactor {
  private readonly secrets = new Set<string>();
  private literal: RegExp | undefined;

  constructor(secrets: Iterable<string | undefined> = []) {
    for (const s of secrets) this.add(s);
  }

  /** Registers a secret; its encoded forms and, for PEM keys, each body line, are registered too. */
  add(secret: string | undefined | null): void {
    if (!secret || secret.length < MIN_SECRET_LENGTH) return;
    const forms = new Set<string>([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]);
    forms.add(new URLSearchParams({ x: secret }).toString().slice(2)); // form encoding (+ for space)
    if (secret.includes('-----BEGIN')) {
      for (const line of secret.split(/\r?\n|\\n/)) if (line.length >= 16 && !line.startsWith('-----')) forms.add(line.trim());
    }
    let changed = false;
    for (const f of forms) {
      if (f.length >= MIN_SECRET_LENGTH && !this.secrets.has(f)) {
        this.secrets.add(f);
        changed = true;
      }
    }
    if (changed) this.literal = undefined;
  }

  redact(text: string): string {
    if (!text) return text;
    let out = text;
    if (this.secrets.size > 0) {
      if (!this.literal) {
        // Longest first, so a secret that contains another is replaced whole.
        const alts = [...this.secrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
        this.literal = new RegExp(alts.join('|'), 'g');
      }
      out = out.replace(this.literal, REDACTED);
    }
    for (const [re, repl] of PATTERNS) out = out.replace(re, repl);
    return out;
  }

  /** True when the text holds one of the registered secrets (for tests and assertions). */
  leaks(text: string): boolean {
    for (const s of this.secrets) if (text.includes(s)) return true;
    return false;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
