using System.Globalization;
using System.Text;

namespace Hcr.MLNet.Data;

/// <summary>
/// Reads the widely shared CSV export of EMNIST (for example <c>emnist-balanced-train.csv</c>): one
/// image per row, <c>label,p0,…,p783</c>, pixels 0–255 in the same transposed order as the IDX files.
/// An optional first row whose first field is <c>label</c> is taken as a header. Plain or gzipped.
/// </summary>
internal static class EmnistCsvFile
{
    public static (byte[] Pixels, int[] Labels) Read(string path)
    {
        using var reader = new StreamReader(IdxFile.OpenMaybeGzipped(path), Encoding.ASCII, false, 1 << 16);
        var pixels = new GrowableBytes(1 << 20);
        var labels = new List<int>();
        int lineNumber = 0;
        try
        {
            while (reader.ReadLine() is { } line)
            {
                lineNumber++;
                if (line.Length == 0)
                    continue;
                if (lineNumber == 1 && line.StartsWith("label", StringComparison.OrdinalIgnoreCase))
                    continue;
                labels.Add(ParseRow(path, lineNumber, line, pixels.Append(EmnistDataset.PixelsPerImage)));
            }
        }
        catch (InvalidDataException e)
        {
            throw new EmnistFormatException(path, $"the gzip stream is corrupt or truncated ({e.Message}).", e);
        }

        if (labels.Count == 0)
            throw new EmnistFormatException(path, "the CSV file holds no rows.");
        byte[] result = pixels.ToArray();
        IdxFile.TransposeEach(result, EmnistDataset.ImageSize);
        return (result, labels.ToArray());
    }

    private static int ParseRow(string path, int lineNumber, string line, Span<byte> pixels)
    {
        ReadOnlySpan<char> rest = line.AsSpan().TrimEnd('\r');
        int label = -1;
        int field = 0;
        while (true)
        {
            int comma = rest.IndexOf(',');
            ReadOnlySpan<char> text = comma < 0 ? rest : rest[..comma];
            if (field > EmnistDataset.PixelsPerImage)
                throw Malformed(path, lineNumber, $"has more than {EmnistDataset.PixelsPerImage + 1} fields (label and {EmnistDataset.PixelsPerImage} pixels)");
            if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int value))
                throw Malformed(path, lineNumber, $"field {field + 1} ('{text.ToString()}') is not a non-negative integer");
            if (field == 0)
            {
                label = value;
            }
            else
            {
                if (value > 255)
                    throw Malformed(path, lineNumber, $"pixel {field - 1} is {value}, outside 0–255");
                pixels[field - 1] = (byte)value;
            }
            field++;
            if (comma < 0)
                break;
            rest = rest[(comma + 1)..];
        }
        if (field != EmnistDataset.PixelsPerImage + 1)
            throw Malformed(path, lineNumber, $"has {field} fields, but a row is a label and {EmnistDataset.PixelsPerImage} pixels ({EmnistDataset.PixelsPerImage + 1} fields)");
        return label;
    }

    private static EmnistFormatException Malformed(string path, int lineNumber, string problem) =>
        new(path, $"CSV row {lineNumber} {problem}.");

    /// <summary>A byte buffer that grows by doubling, so that rows are parsed straight into place.</summary>
    private sealed class GrowableBytes(int capacity)
    {
        private byte[] _buffer = new byte[capacity];
        private int _length;

        public Span<byte> Append(int count)
        {
            if (_length + count > _buffer.Length)
                Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
            Span<byte> span = _buffer.AsSpan(_length, count);
            _length += count;
            return span;
        }

        public byte[] ToArray() => _buffer.Length == _length ? _buffer : _buffer[.._length];
    }
}
