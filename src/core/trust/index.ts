// Where secrets may go: the one trust rule of both shells.
export {
  checkSecretDelivery,
  isLoopback,
  isOfficialHost,
  OFFICIAL_HOSTS,
  type Chooser,
  type DeliveryVerdict,
  type SecretDelivery,
  type SecretToSend,
} from './secretDelivery';
