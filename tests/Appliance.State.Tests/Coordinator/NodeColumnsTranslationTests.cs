using Appliance.State.Coordinator;
using Stored = Appliance.Storage.Stores;

namespace Appliance.State.Tests.Coordinator;

/// <summary>
/// State's <see cref="NodeColumns"/> is translated to Storage's column mask by value (StoredRows.ToRow): the two
/// must name the same columns with the same bits, or a command would write a column it did not mean to (issue 12's
/// lost update, from the other side).
/// </summary>
public sealed class NodeColumnsTranslationTests
{
    [Fact]
    public void States_column_mask_names_the_same_columns_as_Storages()
    {
        Assert.Equal(Enum.GetNames<Stored.NodeColumns>().Order(StringComparer.Ordinal), Enum.GetNames<NodeColumns>().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Each_column_has_the_same_bit_in_both()
    {
        foreach (var column in Enum.GetValues<NodeColumns>())
        {
            Assert.Equal((int)Enum.Parse<Stored.NodeColumns>(column.ToString()), (int)column);
        }
    }
}
