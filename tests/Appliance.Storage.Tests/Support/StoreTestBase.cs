namespace Appliance.Storage.Tests.Support;

/// <summary>
/// The base of every store test class: the tests are written once and run on both engines, through one sealed
/// subclass per engine (`XOnSqliteTests`, and `XOnPostgresTests` on a real throwaway cluster, category Postgres).
/// </summary>
public abstract class StoreTestBase
{
    protected abstract TestDatabase NewDatabase();
}
