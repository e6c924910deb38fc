using System.Data.Common;

namespace Appliance.State.Commands;

/// <summary>Which exceptions mean "the database refused the write" (read-only, full, locked, I/O) rather than a bug.</summary>
internal static class StorageFaults
{
    public static bool IsStorageFault(Exception e) => e is DbException or IOException or UnauthorizedAccessException;
}
