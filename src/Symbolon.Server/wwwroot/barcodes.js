// Draws the barcodes of kept loyalty cards as SVG with bwip-js (lib/bwip-js, MIT), loaded on first use so that pages
// without a barcode never download it. Formats are named as ZXing and Catima name them.
const bcids = {
    QR_CODE: "qrcode",
    CODE_128: "code128",
    EAN_13: "ean13",
    EAN_8: "ean8",
    UPC_A: "upca",
    UPC_E: "upce",
    CODE_39: "code39",
    CODE_93: "code93",
    CODABAR: "rationalizedCodabar",
    ITF: "interleaved2of5",
    PDF_417: "pdf417",
    AZTEC: "azteccode",
    DATA_MATRIX: "datamatrix",
};

const twoDimensional = new Set(["QR_CODE", "PDF_417", "AZTEC", "DATA_MATRIX"]);

let loading = null;

function loadBwip() {
    if (window.bwipjs) {
        return Promise.resolve(window.bwipjs);
    }
    loading ??= new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = new URL("lib/bwip-js/bwip-js-min.js", document.baseURI).href;
        script.onload = () => resolve(window.bwipjs);
        script.onerror = () => { loading = null; reject(new Error("The barcode library could not be loaded.")); };
        document.head.appendChild(script);
    });
    return loading;
}

/** The SVG markup of a barcode; throws when the format cannot carry the content. */
export async function toSvg(format, content, encoding) {
    const bcid = bcids[format];
    if (!bcid) {
        throw new Error("Unknown barcode format.");
    }
    const bwipjs = await loadBwip();
    let text = content;
    if (format === "CODABAR" && !/^[A-D].*[A-D]$/.test(text)) {
        // Codabar needs start and stop characters; ZXing (and so Catima) adds A…A when the number has none.
        text = "A" + text + "A";
    }
    const options = { bcid, text, scale: 4, paddingwidth: 0, paddingheight: 0 };
    if (!twoDimensional.has(format)) {
        options.height = 22;
    }
    if (format === "CODE_93") {
        // Code 93's two check characters are part of the symbol: ZXing writes and expects them.
        options.includecheck = true;
    }
    if (encoding === "ISO-8859-1" && [...text].every(c => c.charCodeAt(0) < 256)) {
        // Each character becomes one byte, as Catima draws such a card.
        options.binarytext = true;
    }
    return bwipjs.toSVG(options);
}

/** Draws into an element; returns null, or why the barcode cannot be drawn (never the content itself). */
export async function render(element, format, content, encoding) {
    if (!element) {
        return null;
    }
    try {
        element.innerHTML = await toSvg(format, content, encoding);
        const svg = element.querySelector("svg");
        if (svg) {
            svg.setAttribute("role", "img");
            svg.setAttribute("aria-label", "Barcode");
            svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
        }
        return null;
    } catch (e) {
        element.innerHTML = "";
        return "This number cannot be drawn as this barcode format.";
    }
}
