{% load i18n %}{% autoescape off %}/* Comptoir's shops widget: <script src="…/widget.js" data-categorie="slug" data-hauteur="480" async></script> */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.parentNode) {
    return;
  }
  var src = "{{ widget_url|escapejs }}";
  var category = script.getAttribute("data-categorie");
  var iframe = document.createElement("iframe");
  iframe.src = category ? src + "?categorie=" + encodeURIComponent(category) : src;
  iframe.title = "{% filter escapejs %}{% blocktranslate with town=town.name %}The shops of {{ town }}{% endblocktranslate %}{% endfilter %}";
  iframe.loading = "lazy";
  iframe.style.width = "100%";
  iframe.style.maxWidth = "100%";
  iframe.style.border = "0";
  iframe.height = script.getAttribute("data-hauteur") || "480";
  script.parentNode.insertBefore(iframe, script.nextSibling);
})();
{% endautoescape %}
