"use strict";
document.documentElement.setAttribute("data-script", "ran");
for (const button of document.querySelectorAll("button[data-copy]")) {
  button.addEventListener("click", (event) => {
    event.preventDefault();
    const source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) return;
    const text = source.textContent;
    const done = () => { button.textContent = "Copied"; setTimeout(() => { button.textContent = "Copy"; }, 1500); };
    const fallback = () => {
      const range = document.createRange();
      range.selectNodeContents(source);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      if (document.execCommand("copy")) done();
    };
    if (navigator.clipboard) navigator.clipboard.writeText(text).then(done, fallback); else fallback();
  });
}
