// Server-only. Write first, then acknowledge, then push: the caller answers its client, and the push to
// everyone else follows on the next turn of the event loop. A failed push is logged (by id) and the
// clients catch up through alerts:sync.
import { getLogger } from "../log/logger";
import type { TAlertChange, TAlertPublisher } from "./alert-change";

export function publishAfterReply(publisher: TAlertPublisher, changes: TAlertChange[]): void {
  setImmediate(() => {
    publisher.publish(changes).catch((error: Error) => {
      getLogger().error({ errorName: error.name, alertIds: changes.map((change) => change.alert.id.toString()) }, "alert push failed");
    });
  });
}
