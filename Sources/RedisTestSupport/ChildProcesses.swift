import Foundation

/// The servers a test or benchmark starts, killed when the process ends however it ends:
/// normally (atexit), or interrupted (SIGINT, SIGTERM, SIGHUP). A deinit is not enough: `exit()`
/// and top-level code skip it, and a child spawned from a test thread may have SIGTERM blocked,
/// so only SIGKILL is sure to stop it.
enum ChildProcesses {
    private static let capacity = 512
    /// Plain memory, read from a signal handler: no locks, no allocation there.
    nonisolated(unsafe) private static let slots: UnsafeMutablePointer<pid_t> = {
        let slots = UnsafeMutablePointer<pid_t>.allocate(capacity: capacity)
        slots.initialize(repeating: 0, count: capacity)
        atexit { ChildProcesses.killAll() }
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            Glibc.signal(signal) { number in
                ChildProcesses.killAll()
                _exit(128 + number)
            }
        }
        return slots
    }()
    private static let lock = NSLock()

    static func track(_ pid: pid_t) {
        lock.withLock {
            if let free = (0..<capacity).first(where: { slots[$0] == 0 }) { slots[free] = pid }
        }
    }

    static func untrack(_ pid: pid_t) {
        lock.withLock {
            if let index = (0..<capacity).first(where: { slots[$0] == pid }) { slots[index] = 0 }
        }
    }

    private static func killAll() {
        for index in 0..<capacity where slots[index] > 0 {
            kill(slots[index], SIGKILL)
        }
    }
}
