/** Calendar arithmetic in the books' time zone (IANA name), with Intl only. */

function parts(at: Date, timeZone: string): Record<string, number> {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const out: Record<string, number> = {};
  for (const p of fmt.formatToParts(at)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** Offset of the zone from UTC at that instant, in ms (Europe/Berlin in summer: +7200000). */
export function zoneOffsetMs(at: Date, timeZone: string): number {
  const p = parts(at, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant of local midnight starting the date `yyyy-mm-dd` in the zone. */
export function zonedMidnight(date: string, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number);
  const guess = Date.UTC(y, m - 1, d);
  let at = guess - zoneOffsetMs(new Date(guess), timeZone);
  at = guess - zoneOffsetMs(new Date(at), timeZone);
  return new Date(at);
}

/** The local calendar month of an instant. */
export function zonedMonth(at: Date, timeZone: string): { year: number; month: number } {
  const p = parts(at, timeZone);
  return { year: p.year, month: p.month };
}
