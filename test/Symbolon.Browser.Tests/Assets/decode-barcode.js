// Test helper: decodes an SVG barcode the way a scanner sees it. The SVG is drawn on a white canvas with a wide quiet
// zone, then read by @zxing/library (zxing-library.min.js, loaded before this file).
window.symbolonTestDecode = async function (svgMarkup, format) {
    const doc = new DOMParser().parseFromString(svgMarkup, "image/svg+xml");
    const svg = doc.documentElement;
    const [, , width, height] = (svg.getAttribute("viewBox") || "0 0 300 150").split(/\s+/).map(Number);
    svg.setAttribute("width", String(width));
    svg.setAttribute("height", String(height));
    const image = new Image();
    image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(new XMLSerializer().serializeToString(svg));
    await image.decode();
    const margin = Math.max(40, Math.round(width / 6));
    const canvas = document.createElement("canvas");
    canvas.width = width + 2 * margin;
    canvas.height = height + 2 * margin;
    const context = canvas.getContext("2d");
    context.fillStyle = "#fff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, margin, margin, width, height);
    const source = new ZXing.HTMLCanvasElementLuminanceSource(canvas);
    const bitmap = new ZXing.BinaryBitmap(new ZXing.HybridBinarizer(source));
    const hints = new Map();
    hints.set(ZXing.DecodeHintType.TRY_HARDER, true);
    hints.set(ZXing.DecodeHintType.POSSIBLE_FORMATS, [ZXing.BarcodeFormat[format]]);
    const reader = new ZXing.MultiFormatReader();
    reader.setHints(hints);
    try {
        const result = reader.decode(bitmap);
        return { text: result.getText(), format: ZXing.BarcodeFormat[result.getBarcodeFormat()], error: null };
    } catch (e) {
        return { text: null, format: null, error: String(e && (e.name || e.message) || e) };
    }
};
