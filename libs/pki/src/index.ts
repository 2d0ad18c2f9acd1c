/** @app/pki — dev PKI helpers over @peculiar/x509 (ECDSA P-256, PEM). Pure: no Nest. */
export * from './certificate-authority';
export * from './dev-pki';
