export { recordAudit, type TAuditEntry } from "./record-audit";
