// _CredsyncEngine: the internal engine pieces under the domain: word-at-a-time byte scans, the
// byte-key hash table, decimal parsing out of byte buffers, the thread pieces (bounded queue,
// threads, parallel map) and the C allocator's tuning. No domain types; nothing outside the package.
