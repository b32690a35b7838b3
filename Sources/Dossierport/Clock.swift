#if canImport(Glibc)
import Glibc
#endif
public import DossierModel
import DossierFormats

/// The current date and time, read in one place so commands can be given a fixed date instead.
public enum Clock {
    public static var nowUTC: Timestamp {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        let days = Int(t.tv_sec) / 86_400
        let secs = Int(t.tv_sec) % 86_400
        return Timestamp(date: LocalDate(daysSinceEpoch: days), hour: secs / 3600, minute: secs / 60 % 60, second: secs % 60)!
    }

    public static var todayUTC: LocalDate { nowUTC.date }
}

/// Machine-readable output for `--json` and `--report`: the project's canonical JSON writer.
public enum MachineOutput {
    public static func json(_ value: some Encodable) throws -> String {
        String(decoding: try JSONByteEncoder.encode(value, style: .pretty), as: UTF8.self)
    }
}
