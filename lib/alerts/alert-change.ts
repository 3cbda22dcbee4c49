import type { Alert, AlertEvent } from "../db/generated/client.ts";
import type { TAlertPathTrace } from "./alert-path-trace";

/** One committed transition: the event row and the alert as it stands after it. Published after commit. */
export type TAlertChange = { alert: Alert; event: AlertEvent };

/** Delivers committed changes to the people who should see them (socket.io in the server). */
export type TAlertPublisher = { publish(changes: TAlertChange[], options?: { trace?: TAlertPathTrace }): Promise<void> };
