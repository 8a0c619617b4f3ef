/** Runs the store conformance suite against fresh in-memory SQLite stores. */
import { describeStoreConformance } from '../conformance/index.js';
import { openSqliteStore } from './index.js';

describeStoreConformance('sqlite (:memory:)', async () => openSqliteStore({ path: ':memory:' }));
