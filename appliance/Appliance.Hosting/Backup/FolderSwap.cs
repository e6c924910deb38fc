using System.Runtime.InteropServices;

namespace Appliance.Hosting.Backup;

/// <summary>
/// Swaps two folders in one step: renameat2(2) with RENAME_EXCHANGE, atomic on Linux file systems that support it
/// (ext4, xfs, btrfs, tmpfs), so there is no instant with neither folder in place. Where the call is refused, two
/// renames with the first undone if the second fails.
/// </summary>
internal static class FolderSwap
{
    // include/uapi/linux/fcntl.h: AT_FDCWD -100; RENAME_EXCHANGE (1 << 1).
    private const int AtFdCwd = -100;
    private const uint RenameExchange = 2;

    public static void Exchange(string a, string b)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                if (renameat2(AtFdCwd, a, AtFdCwd, b, RenameExchange) == 0)
                {
                    return;
                }
            }
            catch (EntryPointNotFoundException)
            {
                // A libc without renameat2: the fallback below.
            }
        }

        var aside = a + ".swap-" + Guid.NewGuid().ToString("N")[..8];
        Directory.Move(a, aside);
        try
        {
            Directory.Move(b, a);
        }
        catch
        {
            Directory.Move(aside, a);
            throw;
        }

        Directory.Move(aside, b);
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Interoperability", "SYSLIB1054", Justification = "LibraryImport needs AllowUnsafeBlocks in Hosting; two strings and ints, marshalled by DllImport.")]
    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int renameat2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);
}
