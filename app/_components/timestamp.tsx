import { formatIsoInZone } from "./format-iso-in-zone";

/** An instant as an ISO 8601 timestamp in the given IANA time zone, with its offset (e.g. 2025-03-01T08:15:00+01:00). */
export function Timestamp({ value, timeZone }: { value: Date; timeZone: string }) {
  return <time dateTime={value.toISOString()}>{formatIsoInZone(value.getTime(), timeZone)}</time>;
}
