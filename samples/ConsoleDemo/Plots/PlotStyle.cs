using SkiaSharp;

namespace ConsoleDemo.Plots;

/// <summary>Colours, fonts and file output shared by the demo's charts.</summary>
internal static class PlotStyle
{
    public static readonly SKColor Background = SKColors.White;
    public static readonly SKColor Axis = new(60, 60, 60);
    public static readonly SKColor Grid = new(225, 225, 225);
    public static readonly SKColor Train = new(31, 119, 180);
    public static readonly SKColor Validation = new(255, 127, 14);
    public static readonly SKColor Wrong = new(214, 39, 40);
    public static readonly SKColor Right = new(44, 160, 44);

    public static SKPaint Text(float size, SKColor? color = null, SKTextAlign align = SKTextAlign.Left, bool bold = false) => new()
    {
        Color = color ?? Axis,
        TextSize = size,
        IsAntialias = true,
        TextAlign = align,
        Typeface = SKTypeface.FromFamilyName(null, bold ? SKFontStyle.Bold : SKFontStyle.Normal),
    };

    public static SKPaint Stroke(SKColor color, float width) => new()
    {
        Color = color,
        StrokeWidth = width,
        IsStroke = true,
        IsAntialias = true,
        StrokeJoin = SKStrokeJoin.Round,
    };

    public static SKPaint Fill(SKColor color) => new() { Color = color, IsAntialias = true };

    /// <summary>Draws on a fresh canvas and writes the result as a PNG.</summary>
    public static void SavePng(string path, int width, int height, Action<SKCanvas> draw)
    {
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        SKCanvas canvas = surface.Canvas;
        canvas.Clear(Background);
        draw(canvas);
        using SKImage image = surface.Snapshot();
        using SKData png = image.Encode(SKEncodedImageFormat.Png, 100);
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
            Directory.CreateDirectory(directory);
        using FileStream file = File.Create(path);
        png.SaveTo(file);
    }
}
