/**
 * Wix indexes on the table's generic GSI slots: which slots an index may take, and (below) how an
 * item's indexed values become the slot's key attributes.
 *
 * Every slot can hold an index. Slot 1 also serves the reverse-reference path, but only on reference
 * records (partition `RV#...`); item records never carry those attributes, so an index on slot 1
 * lives in partitions of its own and the two never meet.
 */
import { GSI_SLOTS } from './schema';

export const INDEX_SLOTS: readonly number[] = [...GSI_SLOTS];
