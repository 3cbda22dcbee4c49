/** An instant as ISO 8601 in an IANA time zone, with its offset (e.g. 2025-03-01T08:15:00+01:00). */
export function formatIsoInZone(ms: number, timeZone: string): string {
  try {
    const parts = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      timeZoneName: "longOffset",
    }).formatToParts(ms);
    const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
    const zone = part("timeZoneName");
    const offset = zone === "GMT" ? "+00:00" : zone.replace("GMT", "");
    return `${part("year")}-${part("month")}-${part("day")}T${part("hour")}:${part("minute")}:${part("second")}${offset}`;
  } catch {
    // An unknown zone name must not break the page; UTC is still an unambiguous instant.
    return new Date(ms).toISOString();
  }
}
