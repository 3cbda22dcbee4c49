export { AppError, ERROR_STATUS, isAppError, isErrorCode, type TErrorCode, type TFieldError } from "./app-error";
export { toErrorBody, zodIssuesToFields, type TErrorBody } from "./to-error-body";
