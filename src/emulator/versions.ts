// API versions the emulator serves: every version from 31.0 (Summer '14) to the newest, as an org does.
export const MIN_API_VERSION = 31;
export const MAX_API_VERSION = 66;

/** Release label of an API version: 31.0 is Summer '14, then Winter, Spring, Summer each year. */
export function releaseLabel(version: number): string {
  const k = version - 31;
  const season = ['Summer', 'Winter', 'Spring'][k % 3];
  const year = 14 + Math.floor((k + 2) / 3);
  return `${season} '${String(year).padStart(2, '0')}`;
}

export function versionsJson(): { label: string; url: string; version: string }[] {
  const out = [];
  for (let v = MIN_API_VERSION; v <= MAX_API_VERSION; v++) {
    out.push({ label: releaseLabel(v), url: `/services/data/v${v}.0`, version: `${v}.0` });
  }
  return out;
}

/** Parses `v62.0` into 62; undefined when malformed or not served. */
export function parseVersion(segment: string): number | undefined {
  const m = /^v(\d+)\.0$/.exec(segment);
  if (!m) return undefined;
  const v = Number(m[1]);
  return v >= MIN_API_VERSION && v <= MAX_API_VERSION ? v : undefined;
}
