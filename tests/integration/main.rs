//! All integration tests in one binary (one link step): each module tests one concern.

mod common;

mod api;
mod archive;
mod attacks;
mod batch;
mod cli;
mod docx;
mod excel;
mod excel_service;
mod forgeries;
mod forms;
mod golden;
mod hostile;
mod html;
mod ofd;
mod openapi;
mod parties;
mod party_keys;
mod pdf;
mod pki;
mod production;
mod properties;
mod signing;
mod studio;
mod tagged;
mod templates;
mod trust;
mod typography;
mod word;
mod word_pdf;
mod word_service;
mod xlsx;
