using Hcr.MLNet.DataViews;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Tests.DataViews;

/// <summary>The transform core on its own, with a toy column function: what every transform built on it inherits.</summary>
public class AppendingMapperTests
{
    private sealed class Row
    {
        public float X { get; set; }

        public string Name { get; set; } = "";
    }

    /// <summary>Appends <c>Doubled</c> = 2·X and <c>Sign</c> (a second column sharing the first's work); counts the rows it computes.</summary>
    private sealed class Doubling(DataViewSchema input, string doubledName = "Doubled")
        : AppendingMapper(input, [input["X"]],
            new DataViewSchema.DetachedColumn(doubledName, NumberDataViewType.Single),
            new DataViewSchema.DetachedColumn("Sign", NumberDataViewType.Single))
    {
        public int GettersMade;
        public int Computed;

        protected internal override Delegate[] MakeGetters(DataViewRow row)
        {
            Interlocked.Increment(ref GettersMade);
            ValueGetter<float> x = row.GetGetter<float>(row.Schema["X"]);
            long computedAt = -1;
            float doubled = 0;
            float Current()
            {
                if (row.Position != computedAt)
                {
                    float value = 0;
                    x(ref value);
                    doubled = 2 * value;
                    computedAt = row.Position;
                    Interlocked.Increment(ref Computed);
                }
                return doubled;
            }
            return
            [
                (ValueGetter<float>)((ref float value) => value = Current()),
                (ValueGetter<float>)((ref float value) => value = MathF.Sign(Current())),
            ];
        }
    }

    private static readonly MLContext Ml = new(seed: 1);

    private static IDataView Input(int rows = 5) =>
        Ml.Data.LoadFromEnumerable(Enumerable.Range(0, rows).Select(i => new Row { X = i - 2, Name = $"r{i}" }).ToList());

    [Fact]
    public void Input_columns_pass_through_at_their_indices_and_appended_ones_follow()
    {
        IDataView input = Input();
        var mapper = new Doubling(input.Schema);
        IDataView output = mapper.Transform(input);

        Assert.Equal(["X", "Name", "Doubled", "Sign"], output.Schema.Select(c => c.Name));
        Assert.Equal(input.Schema["Name"].Index, output.Schema["Name"].Index);
        Assert.Equal([-4f, -2f, 0f, 2f, 4f], output.GetColumn<float>("Doubled"));
        Assert.Equal([-1f, -1f, 0f, 1f, 1f], output.GetColumn<float>("Sign"));
        Assert.Equal(["r0", "r1", "r2", "r3", "r4"], output.GetColumn<string>("Name"));
        Assert.Equal(5, output.GetRowCount());
    }

    [Fact]
    public void Nothing_is_computed_until_an_appended_column_is_read_and_columns_of_one_row_share_the_work()
    {
        IDataView input = Input();
        var mapper = new Doubling(input.Schema);
        IDataView output = mapper.Transform(input);

        Assert.Equal(5, output.GetColumn<string>("Name").Count());
        Assert.Equal(0, mapper.GettersMade);
        // Only the source column is asked of the input for an appended one.
        Assert.Equal([input.Schema["X"]], mapper.GetDependencies([output.Schema["Sign"]]));
        Assert.Equal([input.Schema["Name"]], mapper.GetDependencies([output.Schema["Name"]]));

        using DataViewRowCursor cursor = output.GetRowCursor([output.Schema["Doubled"], output.Schema["Sign"]]);
        ValueGetter<float> doubled = cursor.GetGetter<float>(output.Schema["Doubled"]);
        ValueGetter<float> sign = cursor.GetGetter<float>(output.Schema["Sign"]);
        float value = 0;
        while (cursor.MoveNext())
        {
            doubled(ref value);
            sign(ref value);
        }
        Assert.Equal(1, mapper.GettersMade);
        Assert.Equal(5, mapper.Computed);
    }

    [Fact]
    public void A_name_already_in_the_input_hides_that_column()
    {
        IDataView input = Input();
        IDataView output = new Doubling(input.Schema, doubledName: "X").Transform(input);

        Assert.Equal(4, output.Schema.Count);
        Assert.True(output.Schema[0].IsHidden);
        Assert.Equal(2, output.Schema["X"].Index);
        Assert.Equal([-4f, -2f, 0f, 2f, 4f], output.GetColumn<float>("X"));
    }

    [Fact]
    public void Cursor_sets_split_as_the_input_splits_and_cover_every_row_once()
    {
        IDataView input = Ml.Data.Cache(Input(200));
        IDataView output = new Doubling(input.Schema).Transform(input);
        DataViewSchema.Column[] columns = [output.Schema["Doubled"], output.Schema["Name"]];
        int inputCursors = input.GetRowCursorSet([input.Schema["X"], input.Schema["Name"]], 3).Length;

        DataViewRowCursor[] cursors = output.GetRowCursorSet(columns, 3);
        Assert.Equal(inputCursors, cursors.Length);
        var seen = new List<(string, float)>();
        foreach (DataViewRowCursor cursor in cursors)
        {
            using (cursor)
            {
                ValueGetter<float> doubled = cursor.GetGetter<float>(columns[0]);
                ValueGetter<ReadOnlyMemory<char>> name = cursor.GetGetter<ReadOnlyMemory<char>>(columns[1]);
                float d = 0;
                ReadOnlyMemory<char> n = default;
                while (cursor.MoveNext())
                {
                    doubled(ref d);
                    name(ref n);
                    seen.Add((n.ToString(), d));
                }
            }
        }
        Assert.Equal(Enumerable.Range(0, 200).Select(i => ($"r{i}", 2f * (i - 2))).Order(), seen.Order());
    }

    [Fact]
    public void Row_to_row_mapping_reads_the_row_its_caller_moves_and_leaves_it_open()
    {
        IDataView input = Input();
        var mapper = new Doubling(input.Schema);
        using DataViewRowCursor cursor = input.GetRowCursor(input.Schema);
        DataViewRow mapped = mapper.GetRow(cursor, [mapper.OutputSchema["Doubled"]]);
        ValueGetter<float> doubled = mapped.GetGetter<float>(mapper.OutputSchema["Doubled"]);
        var values = new List<float>();
        float value = 0;
        while (values.Count < 3 && cursor.MoveNext())
        {
            doubled(ref value);
            values.Add(value);
        }
        Assert.Throws<InvalidOperationException>(() => ((DataViewRowCursor)mapped).MoveNext());
        mapped.Dispose();
        Assert.Equal([-4f, -2f, 0f], values);
        Assert.True(cursor.MoveNext()); // still open: the mapped row does not own it
    }

    [Fact]
    public void Unrequested_columns_and_wrong_types_are_refused_with_the_column_named()
    {
        IDataView input = Input();
        IDataView output = new Doubling(input.Schema).Transform(input);
        using DataViewRowCursor cursor = output.GetRowCursor([output.Schema["Doubled"]]);
        Assert.Contains("Sign", Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<float>(output.Schema["Sign"])).Message);
        Assert.Contains("Doubled", Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<double>(output.Schema["Doubled"])).Message);
    }
}
