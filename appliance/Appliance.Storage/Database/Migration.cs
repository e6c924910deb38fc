namespace Appliance.Storage.Database;

/// <summary>One numbered schema step. Shipped migrations are append-only: never edit one, add the next number.</summary>
public sealed record Migration(int Version, string Name, string Sql);
