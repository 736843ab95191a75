// Sets up Swagger UI on /v1/docs from the registry's own OpenAPI document. No validator badge:
// Swagger UI would fetch it from another site.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/v1/openapi.json",
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
  });
});
