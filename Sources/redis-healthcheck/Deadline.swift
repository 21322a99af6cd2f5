#if canImport(Glibc)
import Glibc
#endif

/// SIGALRM after the deadline: print the prepared verdict and exit 1 from the handler. No
/// thread, no Dispatch: the bytes are ready before the timer starts.
enum Deadline {
    nonisolated(unsafe) private static var message: [UInt8] = []

    static func arm(seconds: Double, output: String) {
        message = Array(output.utf8)
        // A blocked mask is inherited across exec: a parent that blocked SIGALRM (seen: test
        // runner threads) would otherwise turn the deadline off without a word.
        var alarm = sigset_t()
        sigemptyset(&alarm)
        sigaddset(&alarm, SIGALRM)
        pthread_sigmask(SIG_UNBLOCK, &alarm, nil)
        signal(SIGALRM) { _ in
            Deadline.message.withUnsafeBytes { bytes in _ = write(STDOUT_FILENO, bytes.baseAddress, bytes.count) }
            _exit(1)
        }
        let whole = Int(seconds)
        var timer = itimerval(it_interval: timeval(), it_value: timeval(tv_sec: whole, tv_usec: Int((seconds - Double(whole)) * 1_000_000)))
        setitimer(Int32(ITIMER_REAL.rawValue), &timer, nil)
    }

    static func disarm() {
        var off = itimerval()
        setitimer(Int32(ITIMER_REAL.rawValue), &off, nil)
    }
}
