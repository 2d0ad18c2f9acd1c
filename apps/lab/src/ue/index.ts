/** UE simulator (ARCHITECTURE.md §6): MIKEY-TICKET UEs over Ua, SIP INVITE / 200 OK of calls. */
export {
  UserEquipment,
  UeVerificationError,
  type IssuedTicket,
  type ResolvedTransfer,
  type UserEquipmentConfig,
} from './user-equipment';
export { UaRequestError, postUa, type UaEndpoint } from './kms-ua-client';
export {
  callFlow,
  ticketCall,
  sdesCall,
  mikeyPskCall,
  mikeyDhCall,
  SRTP_POLICY,
  SRTP_SUITE,
  type CallOptions,
  type CallParty,
  type CallScheme,
  type SimulatedCall,
  type SrtpStreamKeys,
  type TicketCallOptions,
} from './simulated-call';
export type { MediaLine } from './sip-text';
