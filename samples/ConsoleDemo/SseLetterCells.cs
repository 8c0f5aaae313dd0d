using Hcr.MLNet;
using Hcr.MLNet.Data;
using Spectre.Console;

namespace ConsoleDemo;

/// <summary>
/// Labelled character tiles from the SSE-letters photos (<c>../shared/data/sse-letters</c>: printed 5×3 grids filled in by
/// hand, one writer per frame, the same letters in every frame). The characters are found as <c>predict --characters</c>
/// finds them; a frame counts only when exactly 15 are found in three rows of five, so that each one's cell, and so its
/// letter, is known. The frames are halved by frame, which is by writer.
/// </summary>
internal static class SseLetterCells
{
    /// <summary>The letters of every frame's cells, row by row.</summary>
    private static readonly string[] Layout = ["ABCDI", "KOLMR", "EHXWT"];

    public static (EmnistDataset First, EmnistDataset Second, string Description) Load(string folder, HandwritingRecognizer recognizer, int seed,
        IProgress<(int Done, int Frames)>? progress = null)
    {
        string frames = Directory.Exists(Path.Combine(folder, "frames")) ? Path.Combine(folder, "frames") : folder;
        string[] files = Directory.Exists(frames) ? Directory.GetFiles(frames, "*.jpg").Order(StringComparer.Ordinal).ToArray() : [];
        if (files.Length == 0)
            throw new ArgumentException($"{folder}: no SSE-letters photos (frames/*.jpg) there.");
        char[] classes = Layout.SelectMany(row => row).ToArray();
        var used = new List<(string Frame, byte[] Tiles, int[] Labels)>();
        for (int i = 0; i < files.Length; i++)
        {
            IReadOnlyList<CharacterReading> found = recognizer.ReadCharacters(files[i]);
            progress?.Report((i + 1, files.Length));
            if (Cells(found) is { } cells)
            {
                used.Add((files[i], cells.SelectMany(c => c.Reading.Prediction.NetworkInput.ToArray()).ToArray(),
                    cells.Select(c => Array.IndexOf(classes, c.Letter)).ToArray()));
            }
        }
        if (used.Count < 4)
            throw new ArgumentException($"{folder}: only {used.Count} of {files.Length} photos had their 15 letters found in three rows; too few to measure on.");
        var random = new Random(seed);
        var order = used.OrderBy(_ => random.Next()).ToList();
        int half = order.Count / 2;
        EmnistDataset Set(IEnumerable<(string Frame, byte[] Tiles, int[] Labels)> part, string name)
        {
            var list = part.ToList();
            return EmnistDataset.Create(list.SelectMany(f => f.Tiles).ToArray(), list.SelectMany(f => f.Labels).ToArray(), classes,
                $"{name}: {list.Count} SSE-letters photos ({list.Count * 15} letters) in {folder}");
        }
        return (Set(order.Take(half), "first half"), Set(order.Skip(half), "second half"),
            $"{used.Count} of {files.Length} SSE-letters photos (those whose 15 letters were found in three rows of five)");
    }

    /// <summary><see cref="Load"/> with a progress bar over the photos, then a line saying how many were used.</summary>
    public static (EmnistDataset First, EmnistDataset Second, string Description) LoadShowingProgress(string folder, HandwritingRecognizer recognizer, int seed)
    {
        var halves = AnsiConsole.Progress().Start(context =>
        {
            ProgressTask task = context.AddTask("Finding the letters in the photos");
            return Load(folder, recognizer, seed, new Progress<(int Done, int Frames)>(p =>
            {
                task.MaxValue = p.Frames;
                task.Value = p.Done;
            }));
        });
        AnsiConsole.WriteLine($"Photos: {halves.Description}.");
        return halves;
    }

    /// <summary>The found characters with their cells' letters, or null unless they are 15 in three rows of five.</summary>
    private static List<(CharacterReading Reading, char Letter)>? Cells(IReadOnlyList<CharacterReading> found)
    {
        if (found.Count != 15)
            return null;
        var rows = found.OrderBy(r => r.Box.Y + r.Box.Height / 2.0).Chunk(5).ToArray();
        for (int r = 0; r + 1 < rows.Length; r++)
        {
            // Rows that overlap in height are a tilted photo's rows run together: their cells cannot be told apart.
            if (rows[r].Max(c => c.Box.Y + c.Box.Height / 2.0) >= rows[r + 1].Min(c => c.Box.Y))
                return null;
        }
        return rows.SelectMany((row, r) => row.OrderBy(c => c.Box.X).Select((c, column) => (c, Layout[r][column]))).ToList();
    }
}
