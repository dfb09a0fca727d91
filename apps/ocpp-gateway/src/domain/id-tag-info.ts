import type { Ocpp201IdTokenInfo } from '@app/ocpp';

export type AuthorizationStatus = 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx';

export interface IdTagInfo {
  status: AuthorizationStatus;
  expiryDate?: string;
  parentIdTag?: string;
}

export interface IdTagRecord {
  status: 'Accepted' | 'Blocked' | 'Expired' | 'Invalid';
  expiryDate: Date | null;
  parentIdTag: string | null;
}

/**
 * idTagInfo for a tag of the charger's fleet. Unknown tags are Invalid, unless the dev stack lets
 * every tag in (`acceptUnknown`); a tag past its expiry date is Expired.
 */
export function decideIdTagInfo(record: IdTagRecord | null, now: Date, acceptUnknown: boolean): IdTagInfo {
  if (!record) return { status: acceptUnknown ? 'Accepted' : 'Invalid' };
  const info: IdTagInfo = { status: record.status };
  if (record.status === 'Accepted' && record.expiryDate && record.expiryDate.getTime() <= now.getTime()) {
    info.status = 'Expired';
  }
  if (record.expiryDate) info.expiryDate = record.expiryDate.toISOString();
  if (record.parentIdTag) info.parentIdTag = record.parentIdTag;
  return info;
}

/**
 * The 2.0.1 form of the same verdict (Authorize, TransactionEvent): every 1.6 status exists in
 * AuthorizationStatusEnumType; the expiry becomes how long the station may cache it, the parent tag
 * the group token (a tag of ours, hence type Central).
 */
export function toIdTokenInfo(info: IdTagInfo): Ocpp201IdTokenInfo {
  return {
    status: info.status,
    ...(info.expiryDate ? { cacheExpiryDateTime: info.expiryDate } : {}),
    ...(info.parentIdTag ? { groupIdToken: { idToken: info.parentIdTag, type: 'Central' as const } } : {}),
  };
}
