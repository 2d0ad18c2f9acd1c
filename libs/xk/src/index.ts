/** @app/xk — Xk request/response types and validation shared by the MF and kms-sim. Pure. */
export * from './xk-messages';
