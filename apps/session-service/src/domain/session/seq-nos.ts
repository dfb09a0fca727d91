/**
 * The seqNos of an OCPP 2.0.1 transaction a session folded. A station numbers the TransactionEvents
 * of one transaction 0, 1, 2, ... and repeats one it is not sure we got (no answer before a
 * reconnect), so a seqNo seen twice is the same event; one missing at the end means an event
 * never reached us (SEQ_NO_GAP). Kept as ranges: a transaction of thousands of events is one pair.
 */
import type { SeqNoRanges } from './state';

export function hasSeqNo(ranges: SeqNoRanges, seqNo: number): boolean {
  return ranges.some(([from, to]) => seqNo >= from && seqNo <= to);
}

/** `ranges` with `seqNo` added (a new array; ranges that now touch are merged). */
export function withSeqNo(ranges: SeqNoRanges, seqNo: number): SeqNoRanges {
  if (hasSeqNo(ranges, seqNo)) return ranges;
  const all: SeqNoRanges = [...ranges, [seqNo, seqNo] as [number, number]].sort((a, b) => a[0] - b[0]);
  const merged: SeqNoRanges = [];
  for (const [from, to] of all) {
    const last = merged[merged.length - 1];
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}

/** Some seqNo in from..max(seen) never arrived. Nothing seen (a 1.6 session) is no gap. */
export function hasSeqNoGap(ranges: SeqNoRanges, from = 0): boolean {
  const expected = ranges.filter(([, to]) => to >= from);
  if (expected.length === 0) return false;
  return expected.length > 1 || expected[0][0] > from;
}
