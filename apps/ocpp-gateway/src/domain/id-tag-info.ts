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
