export { authenticateHospitalCredential, HOSPITAL_CREDENTIAL_PREFIX, type THospitalParticipant } from "./authenticate-hospital-credential";
export {
  DEFAULT_CREDENTIAL_VALIDITY_DAYS,
  MAX_CREDENTIAL_VALIDITY_DAYS,
  toHospitalCredentialView,
  type THospitalCredentialStatus,
  type THospitalCredentialView,
} from "./hospital-credential-view";
export { issueHospitalCredential, ZIssueHospitalCredentialSchema, type TIssueHospitalCredential } from "./issue-hospital-credential";
export { listHospitalCredentials, ZListHospitalCredentialsSchema, type TListHospitalCredentials } from "./list-hospital-credentials";
export { revokeHospitalCredential, ZRevokeHospitalCredentialSchema } from "./revoke-hospital-credential";
