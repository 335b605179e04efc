#if canImport(Glibc)
    import CMalloc
#endif

/// The C allocator's hold on freed memory. glibc keeps what a thread frees in that thread's arena
/// and returns little of it, so a run whose phases allocate on many threads (mapping, then the
/// push's tasks) would keep each phase's peak resident. Fewer arenas, and freed pages handed back
/// between phases, keep the process's resident memory near what it really uses.
public enum FreedMemory {
    /// At start: at most `arenas` allocator arenas (glibc makes 8 a core).
    public static func limitArenas(_ arenas: Int32 = 2) {
        #if canImport(Glibc)
            _ = mallopt(M_ARENA_MAX, arenas)
        #endif
    }

    /// Hands freed pages back to the system: between phases, and now and then during a long one.
    public static func release() {
        #if canImport(Glibc)
            _ = malloc_trim(0)
        #endif
    }
}
