/** An instant as an ISO 8601 timestamp in the given IANA time zone, with its offset (e.g. 2025-03-01T08:15:00+01:00). */
export function Timestamp({ value, timeZone }: { value: Date; timeZone: string }) {
  return <time dateTime={value.toISOString()}>{formatIsoWithOffset(value, timeZone)}</time>;
}

function formatIsoWithOffset(value: Date, timeZone: string): string {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      timeZoneName: "longOffset",
    }).formatToParts(value);
  } catch {
    // An unknown zone name must not break the page; UTC is still an unambiguous instant.
    return value.toISOString();
  }
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  const zoneName = part("timeZoneName");
  const offset = zoneName === "GMT" ? "+00:00" : zoneName.replace("GMT", "");
  return `${part("year")}-${part("month")}-${part("day")}T${part("hour")}:${part("minute")}:${part("second")}${offset}`;
}
