namespace Hcr.MLNet.Imaging;

/// <summary>A single-channel image of floats (0..255 unless a step says otherwise), row-major.</summary>
internal sealed class GreyImage
{
    public GreyImage(int width, int height, float[]? data = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (data is not null && data.Length != width * height)
            throw new ArgumentException($"A {width}x{height} image has {width * height} pixels, not {data.Length}.", nameof(data));
        Width = width;
        Height = height;
        Data = data ?? new float[width * height];
    }

    public int Width { get; }

    public int Height { get; }

    public float[] Data { get; }

    public float this[int x, int y]
    {
        get => Data[y * Width + x];
        set => Data[y * Width + x] = value;
    }

    public GreyImage Clone() => new(Width, Height, (float[])Data.Clone());

    /// <summary>An image of the same size whose pixels are <paramref name="map"/> of this one's.</summary>
    public GreyImage Map(Func<float, float> map)
    {
        var result = new GreyImage(Width, Height);
        for (int i = 0; i < Data.Length; i++)
            result.Data[i] = map(Data[i]);
        return result;
    }

    public static GreyImage FromBytes(ReadOnlySpan<byte> pixels, int width, int height)
    {
        var image = new GreyImage(width, height);
        for (int i = 0; i < image.Data.Length; i++)
            image.Data[i] = pixels[i];
        return image;
    }
}
