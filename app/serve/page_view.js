// The cited-page viewer: a citation's "show on the page" link opens the page in a panel over
// the chat instead of a new tab. The server marks the page; this only fetches and shows it.
(() => {
  function viewer() {
    let panel = document.getElementById("docqa-viewer");
    if (panel) return panel;
    panel = document.createElement("div");
    panel.id = "docqa-viewer";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", "Cited page");
    panel.innerHTML =
      '<div class="docqa-viewer-bar"><span class="docqa-viewer-title"></span>' +
      '<button type="button" class="docqa-viewer-close" aria-label="Close">×</button></div>' +
      '<p class="docqa-viewer-note"></p><div class="docqa-viewer-body"></div>';
    panel.querySelector(".docqa-viewer-close").addEventListener("click", () => panel.remove());
    document.body.appendChild(panel);
    return panel;
  }

  async function show(link) {
    const panel = viewer();
    const body = panel.querySelector(".docqa-viewer-body");
    const note = panel.querySelector(".docqa-viewer-note");
    const cite = link.closest(".docqa-cite");
    const where = cite && cite.querySelector(".where");
    panel.querySelector(".docqa-viewer-title").textContent = where ? where.textContent : "";
    body.textContent = "Loading the page…";
    note.textContent = "";
    const response = await fetch(link.getAttribute("href"));
    const type = response.headers.get("content-type") || "";
    if (!response.ok) {
      const problem = type.includes("json") ? (await response.json()).error : response.statusText;
      body.textContent = "The page cannot be shown: " + problem;
      return;
    }
    note.textContent = response.headers.get("x-docqa-note") || "";
    if (type.startsWith("image/")) {
      const image = document.createElement("img");
      image.alt = "The cited page, the answer boxed";
      image.dataset.boxes = response.headers.get("x-docqa-boxes") || "[]";
      image.src = URL.createObjectURL(await response.blob());
      body.replaceChildren(image);
    } else {
      body.innerHTML = await response.text(); // escaped by the server: only its <mark>s are markup
      const mark = body.querySelector("mark.docqa-span");
      if (mark) mark.scrollIntoView({ block: "center" });
    }
  }

  document.addEventListener(
    "click",
    (event) => {
      const link = event.target.closest && event.target.closest("a.docqa-view");
      if (!link) return;
      event.preventDefault();
      event.stopPropagation();
      show(link);
    },
    true,
  );
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") document.getElementById("docqa-viewer")?.remove();
  });
})();
