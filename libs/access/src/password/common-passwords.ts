/**
 * The ~49k most common passwords (the zxcvbn-ts "passwords-common" list, all lower case), loaded on
 * first use and kept as a Set: most processes that import this library (the CLI, services that only
 * verify tokens) never check a new password and should not pay ~1 MB of memory for it.
 */
let loading: Promise<ReadonlySet<string>> | undefined;

export function commonPasswords(): Promise<ReadonlySet<string>> {
  loading ??= import('@zxcvbn-ts/language-common').then(
    (m) => new Set(m.dictionary['passwords-common'].map((p) => p.toLowerCase())),
    (e: unknown) => {
      loading = undefined; // let the next call try again rather than caching the failure forever
      throw e;
    },
  );
  return loading;
}

/** Leetspeak readings of a character; `1` is ambiguous, so it yields two candidates. */
const LEET: Readonly<Record<string, readonly string[]>> = {
  '0': ['o'],
  '1': ['i', 'l'],
  '3': ['e'],
  '4': ['a'],
  '5': ['s'],
  '7': ['t'],
  '@': ['a'],
  $: ['s'],
};

/** Readings tried per candidate; past it (more than six `1`s) each `1` is read the same way throughout. */
const MAX_VARIANTS = 64;

/** `text` with leetspeak read back as letters: every combination of readings, or the uniform ones. */
export function unleet(text: string): string[] {
  const chars = [...text];
  const ambiguous = chars.filter((ch) => (LEET[ch]?.length ?? 1) > 1).length;
  if (2 ** ambiguous > MAX_VARIANTS) {
    return [0, 1].map((i) => chars.map((ch) => LEET[ch]?.[i] ?? LEET[ch]?.[0] ?? ch).join(''));
  }
  let variants = [''];
  for (const ch of chars) {
    const readings = LEET[ch] ?? [ch];
    variants = variants.flatMap((v) => readings.map((r) => v + r));
  }
  return variants;
}

/**
 * A trailing run of digits and symbols is the usual way to dress up a weak word (`Summer2024!`), so
 * the candidate is also read with 1..n of those characters removed. Bases shorter than 4 characters
 * are ignored: "ab" + ten digits is weak, but not because "ab" is a common password. The whole
 * candidate is always looked up, whatever its length.
 */
const MIN_BASE = 4;

/** Every reading of `lowered` that is compared against the common list. */
export function commonPasswordReadings(lowered: string): Set<string> {
  const readings = new Set<string>();
  const trailing = /[^\p{L}]*$/u.exec(lowered)?.[0].length ?? 0;
  for (let cut = 0; cut <= trailing; cut++) {
    const base = lowered.slice(0, lowered.length - cut);
    if (cut > 0 && base.length < MIN_BASE) break;
    readings.add(base);
    for (const v of unleet(base)) readings.add(v);
  }
  return readings;
}
