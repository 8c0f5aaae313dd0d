using System.Runtime.InteropServices;

namespace Hcr.MLNet.IO;

/// <summary>
/// Refuses, before it is opened, a path that names a named pipe (FIFO), a socket or a device rather than a regular file:
/// opening a FIFO blocks until a writer appears (forever, for a file named <c>x.png</c> that nobody writes), and a device
/// such as <c>/dev/zero</c> never ends. .NET cannot tell: it reports <see cref="FileAttributes.Normal"/> and a length of 0
/// for both (checked on Linux), and <see cref="FileSystemInfo.UnixFileMode"/> holds only the permission bits, so the
/// file's type comes from the operating system (statx on Linux, stat on macOS), following symbolic links.
/// Every path the library opens a user's file by goes through <see cref="Require"/>.
/// </summary>
/// <remarks>
/// A file swapped for a pipe between the check and the open is not caught; the check is against mistakes and hostile
/// uploads, not against a local attacker racing the process.
/// </remarks>
internal static partial class RegularFile
{
    // File types of st_mode / stx_mode, the same numbers on Linux and macOS.
    private const int TypeMask = 0xF000;
    private const int Fifo = 0x1000;
    private const int CharacterDevice = 0x2000;
    private const int Directory = 0x4000;
    private const int BlockDevice = 0x6000;
    private const int Regular = 0x8000;
    private const int SymbolicLink = 0xA000;
    private const int Socket = 0xC000;

    // statx(2): relative paths from the working directory; stx_mode (a u16) at offset 28 of a 256-byte struct whose
    // layout is the same on every architecture, unlike struct stat's.
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const int StatxSize = 256;
    private const int StatxModeOffset = 28;
    // macOS's 64-bit-inode struct stat (the only one on arm64): st_mode (a u16) after the 4-byte st_dev.
    private const int MacStatSize = 256;
    private const int MacStatModeOffset = 4;

    /// <summary>
    /// Throws the exception <paramref name="refuse"/> makes from a problem ("is a named pipe (FIFO), …") when
    /// <paramref name="path"/> exists and is not a regular file or a directory (directories are left to the callers, which
    /// name them in their own words); does nothing for a regular file, a missing one, or where the system does not tell.
    /// </summary>
    public static void Require(string path, Func<string, Exception> refuse)
    {
        if (Kind(path) is string kind)
            throw refuse($"is {kind}, not a regular file; only regular files are read (opening a pipe or a device can block or never end).");
    }

    /// <summary>What <paramref name="path"/> is when it is neither a regular file nor a directory ("a named pipe (FIFO)"); otherwise null.</summary>
    public static string? Kind(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            // Win32 device names (NUL, CON, \\.\pipe\…) report the Device attribute where they report any.
            try
            {
                return (File.GetAttributes(path) & FileAttributes.Device) != 0 ? "a device" : null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                return null;
            }
        }
        return Mode(path) is int mode ? KindOf(mode & TypeMask) : null;
    }

    private static string? KindOf(int type) => type switch
    {
        Regular or Directory or 0 => null,
        Fifo => "a named pipe (FIFO)",
        CharacterDevice => "a character device",
        BlockDevice => "a block device",
        Socket => "a socket",
        // statx and stat follow links, so a link here is one they could not follow; opening it fails on its own.
        SymbolicLink => null,
        _ => "not a regular file",
    };

    /// <summary>The file's st_mode, following links; null when it does not exist, cannot be looked at, or the system has no such call.</summary>
    private static unsafe int? Mode(string path)
    {
        // Far larger than either struct, so that a libc writing a longer one never writes past it.
        byte* buffer = stackalloc byte[Math.Max(StatxSize, MacStatSize)];
        try
        {
            if (OperatingSystem.IsLinux())
                return Statx(AtFdCwd, path, 0, StatxType, buffer) == 0 ? *(ushort*)(buffer + StatxModeOffset) : null;
            if (OperatingSystem.IsMacOS())
            {
                int result = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? MacStat64(path, buffer) : MacStat(path, buffer);
                return result == 0 ? *(ushort*)(buffer + MacStatModeOffset) : null;
            }
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // A libc without statx (glibc before 2.28, musl before 1.2.5): the type cannot be told, and the open goes ahead.
        }
        return null;
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int MacStat(string path, byte* buffer);

    // On x86-64 macOS plain "stat" is the old 32-bit-inode struct, whose st_mode sits elsewhere.
    [LibraryImport("libc", EntryPoint = "stat$INODE64", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int MacStat64(string path, byte* buffer);
}
