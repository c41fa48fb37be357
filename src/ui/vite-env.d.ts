// import.meta.env (BASE_URL) and CSS side-effect imports, typed by Vite.
/// <reference types="vite/client" />
