/**
 * Hands out transactionIds from blocks reserved in the database (one `nextval` per block of
 * `blockSize`). Concurrent callers share the refill of an exhausted block.
 */
export class TransactionIdBlocks {
  private next = 0;
  private end = 0;
  private refill: Promise<void> | null = null;

  constructor(
    private readonly reserveBlock: () => Promise<number>,
    private readonly blockSize: number,
  ) {}

  async allocate(): Promise<number> {
    for (;;) {
      if (this.next < this.end) return this.next++;
      if (!this.refill) {
        this.refill = this.reserveBlock()
          .then((start) => {
            this.next = start;
            this.end = start + this.blockSize;
          })
          .finally(() => {
            this.refill = null;
          });
      }
      await this.refill;
    }
  }
}
