// Runs only in browsers that support ES modules, which is what GOV.UK Frontend
// needs; older browsers get the page without JavaScript enhancements.
import { initAll } from "../govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
