// The outbound address guard moved to libs/connectors (file locations use it too); this re-export keeps
// testers that import './network-guard' compiling. New code imports '@flowforge/connectors'.
export {
  classifyAddress,
  ForbiddenAddressError,
  forbiddenAddressIn,
  guardedLookup,
  guardedSocket,
  pinnedLookup,
  refusedLiteral,
  resolvePublicTarget,
  type AddressClass,
  type ResolvedTarget,
} from '@flowforge/connectors';
