// Browser only. The patient's CKKS secret key in IndexedDB, per patient, on this device. It never goes to
// the server. Any script running on this origin could read it, as with any key a web page holds, so an
// XSS hole would expose it (the app sets no Content-Security-Policy yet; one would narrow that risk).
// Clearing the site's data deletes the key; the next forecast then makes and registers a new one.
import { HE_PARAMS } from "./params";

export type TStoredHeKey = {
  patientId: string;
  paramsId: string;
  secretKey: Uint8Array;
  /** The fingerprint of the evaluation keys registered from this secret key; null before registration. */
  keyFingerprint: string | null;
  createdAt: string;
};

const DATABASE = "pulseguard-he";
const STORE = "secret-keys";

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "patientId" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB is not available"));
  });
}

async function withStore<T>(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const database = await openDatabase();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = action(database.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error("IndexedDB request failed"));
    });
  } finally {
    database.close();
  }
}

/** The stored key for this patient under the current parameters, or null. */
export async function readStoredHeKey(patientId: string): Promise<TStoredHeKey | null> {
  const record = (await withStore("readonly", (store) => store.get(patientId))) as TStoredHeKey | undefined;
  return record && record.paramsId === HE_PARAMS.id ? record : null;
}

export async function writeStoredHeKey(record: TStoredHeKey): Promise<void> {
  await withStore("readwrite", (store) => store.put(record));
}
