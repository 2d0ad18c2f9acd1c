/** UE simulator (ARCHITECTURE.md §6): MIKEY-TICKET UEs over Ua, SIP INVITE / 200 OK of calls. */
export {
  UserEquipment,
  UeVerificationError,
  type IssuedTicket,
  type ResolvedTransfer,
  type UserEquipmentConfig,
} from './user-equipment';
export { callMedia, linearToUlaw, streamMedia, ulawTone, type MediaStream } from './call-media';
export { UaRequestError, postUa, type UaEndpoint } from './kms-ua-client';
export {
  ticketCall,
  sdesCall,
  mikeyPskCall,
  mikeyDhCall,
  sipFlow,
  SRTP_POLICY,
  SRTP_SUITE,
  type CallOptions,
  type CallParty,
  type CallScheme,
  type SimulatedCall,
  type SipFlowStep,
  type SrtpStreamKeys,
  type TicketCallOptions,
} from './simulated-call';
export type { CallDialog, MediaLine } from './sip-text';
